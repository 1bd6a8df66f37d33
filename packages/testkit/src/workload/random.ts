/** The seeded generator lives in core (the demo data uses it too). */
export { randomInt, seededRandom, shuffled } from '@tally/core';
