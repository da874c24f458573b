import "server-only";

/**
 * A credential read from the environment through the config file. It never
 * serialises: JSON, logs and string templates all see "[redacted]", and React
 * refuses to pass a class instance to a client component.
 */
export class SecretValue {
  readonly #value: string;
  readonly envVar: string | undefined;

  constructor(value: string, envVar?: string) {
    this.#value = value;
    this.envVar = envVar;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return "[redacted]";
  }

  toString(): string {
    return "[redacted]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "SecretValue([redacted])";
  }
}
