// @ts-check
// The shapes every scenario module keeps to, checked in the modules, stack.js and the suites.
'use strict';

/**
 * What a break runs against: one scenario's running stack, built by scripts/stack.js for the demo
 * and by test/support/scenario.ts for a suite's own stack.
 * @typedef {object} BreakContext
 * @property {ComposeRunner} compose `docker compose` on the scenario's file, with the stack's environment
 * @property {Record<string, string | undefined>} images the environment that selects the images in use
 * @property {string} api the API's base URL, as the host reaches it
 * @property {number} port the API's host port
 * @property {number} sparePort a second free host port, for a second API (stack.js: port + 1)
 * @property {string} project the compose project name
 * @property {string} network network.yml's named network (FAVORITES_NETWORK)
 * @property {string} apiImage the API image
 * @property {(bindIp: string, name?: string) => void} startHostMongo starts "MongoDB on the host", published on bindIp
 */

/**
 * Runs `docker compose <args>` on the scenario's file; returns its stdout ('' when inherited).
 * @callback ComposeRunner
 * @param {string[]} args
 * @param {Record<string, string>} [overrides] variables on top of the stack's environment
 * @param {'inherit' | 'pipe'} [stdio]
 * @param {{ check?: boolean }} [options] check (default true): throw when compose fails
 * @returns {string}
 */

/**
 * Text that may name the stack's containers or ports.
 * @typedef {string | ((ctx: BreakContext) => string)} StackText
 */

/**
 * One way a scenario fails, on purpose: `node scripts/stack.js <scenario> --break <name>`.
 * @template [State=unknown]
 * @typedef {object} Break
 * @property {string} what what it does, in a sentence
 * @property {StackText} command the plain command that does the same by hand
 * @property {string[]} [containers] containers it starts outside the compose file, named <project>-<entry>
 * @property {string[]} [networks] networks it creates outside the compose file, named <project>-<entry>
 * @property {(ctx: BreakContext) => State | Promise<State>} run causes the failure
 * @property {(ctx: BreakContext, state: State) => string | Promise<string>} show the evidence a user would look at
 * @property {StackText} fix what to change
 * @property {StackText} [undo] how to undo it, when bringing the stack up again (stack.js <scenario>) does not
 */

/**
 * One scenario: compose/<name>.yml, and everything said about it under that name.
 * @typedef {object} Scenario
 * @property {string} name the compose file's base name
 * @property {string} title the heading on its page and in the README index
 * @property {string} reachedBy how the API reaches MongoDB, in short
 * @property {Record<string, string>} [env] what stack.js sets so the stack works
 * @property {string} [apiService] the API service whose log stack.js shows (default favorites)
 * @property {boolean} [upWaits] false when `compose up --wait` can't be used: a one-shot exits and nothing
 *   waits for it, so --wait reports a failure; stack.js then waits on /readyz alone (default true)
 * @property {string} [runWith] set when stack.js does not bring it up: how to run it instead
 * @property {Record<string, Break<any>>} breaks keyed by the --break name
 */

module.exports = {};
