// S0, the Express floor: the same routes and responses as the session servers, no session.
import { createServer } from 'node:http';
import express from 'express';
import { serve } from './harness.js';

const app = express();
for (const path of ['/read', '/write', '/login']) {
  app.get(path, (_req, res) => {
    res.send('hello user-1');
  });
}
serve(createServer(app));
