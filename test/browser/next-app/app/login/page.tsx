import { login } from '../actions';

export default function LoginPage() {
  return (
    <form action={login}>
      <input id="user" name="user" />
      <button id="login" type="submit">Log in</button>
    </form>
  );
}
