import type { User, UserRepository } from './types.js';

/** Users in a Map: for SESSION_STORE=memory and tests. Gone when the process ends. */
export class MemoryUsers implements UserRepository {
  readonly #byId = new Map<string, User>();
  readonly #idByName = new Map<string, string>();

  async init(): Promise<void> {}

  async create(user: User): Promise<boolean> {
    if (this.#idByName.has(user.username)) return false;
    this.#idByName.set(user.username, user.id);
    this.#byId.set(user.id, { ...user });
    return true;
  }

  async findById(id: string): Promise<User | undefined> {
    const user = this.#byId.get(id);
    return user && { ...user };
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const id = this.#idByName.get(username);
    return id === undefined ? undefined : this.findById(id);
  }
}
