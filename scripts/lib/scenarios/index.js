// @ts-check
// Every scenario, in the order the docs list them: compose/<name>.yml and its module here.
'use strict';

const { named } = require('./evidence');

/** @typedef {import('./types').Scenario} Scenario */
/** @typedef {import('./types').Break<any>} Break */
/** @typedef {import('./types').BreakContext} BreakContext */
/** @typedef {import('./types').ComposeRunner} ComposeRunner */

/** @type {Record<string, Scenario>} */
const SCENARIOS = {
  network: require('./network'),
  host: require('./host'),
  ip: require('./ip'),
  aliases: require('./aliases'),
  segmented: require('./segmented'),
  internal: require('./internal'),
  'icc-off': require('./icc-off'),
  'loopback-db': require('./loopback-db'),
  'start-order': require('./start-order'),
  ports: require('./ports'),
  volumes: require('./volumes'),
  scale: require('./scale'),
  swarm: require('./swarm'),
};

/**
 * The scenario that has a break of this name, and the break; undefined for an unknown name.
 * @param {string} name
 * @returns {{ scenario: Scenario, failure: Break } | undefined}
 */
function findBreak(name) {
  const scenario = Object.values(SCENARIOS).find((candidate) => Object.hasOwn(candidate.breaks, name));
  return scenario && { scenario, failure: scenario.breaks[name] };
}

/** Every break's name, scenario by scenario. */
const breakNames = () => Object.values(SCENARIOS).flatMap((scenario) => Object.keys(scenario.breaks));

/**
 * The names of the containers a scenario's breaks start outside its compose file.
 * @param {Scenario} scenario
 * @param {string} project
 */
const containersOf = (scenario, project) =>
  Object.values(scenario.breaks).flatMap((failure) =>
    (failure.containers ?? []).map((what) => named({ project }, what)),
  );

/**
 * The names of the networks a scenario's breaks create outside its compose file.
 * @param {Scenario} scenario
 * @param {string} project
 */
const networksOf = (scenario, project) =>
  Object.values(scenario.breaks).flatMap((failure) => (failure.networks ?? []).map((what) => named({ project }, what)));

module.exports = { SCENARIOS, findBreak, breakNames, containersOf, networksOf };
