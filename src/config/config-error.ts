/** A configuration value that stops start-up; its message names the variable. */
export class ConfigError extends Error {}
