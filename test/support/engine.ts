// The engine a suite runs on (FAVORITES_ENGINE, docs/engines.md), for lessons that differ by engine.
export { engineIdentity as engine, linkBehaviour } from '../../scripts/lib/engine';
