/** The data layer draws from rnnlab's one seeded generator (src/random.ts). */
export { Random as Rng } from '../random.js';
