import type { Redis } from 'ioredis';
import type { User, UserRepository } from './types.js';

/** Users in Redis: one JSON value per user, and a username -> id key claimed with SET NX. */
export class RedisUsers implements UserRepository {
  constructor(readonly client: Redis, readonly prefix = 'demo:') {}

  async init(): Promise<void> {}

  async create(user: User): Promise<boolean> {
    // The record first, then the name: a failure in between leaves an unreachable record, never a name without a user.
    await this.client.set(`${this.prefix}user:${user.id}`, JSON.stringify(user));
    const claimed = await this.client.set(`${this.prefix}username:${user.username}`, user.id, 'NX');
    if (claimed === 'OK') return true;
    await this.client.del(`${this.prefix}user:${user.id}`);
    return false;
  }

  async findById(id: string): Promise<User | undefined> {
    const text = await this.client.get(`${this.prefix}user:${id}`);
    return text === null ? undefined : (JSON.parse(text) as User);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const id = await this.client.get(`${this.prefix}username:${username}`);
    return id === null ? undefined : this.findById(id);
  }
}
