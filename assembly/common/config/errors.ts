// Configuration problems, collected (not thrown) so an operator sees every
// one of them in a single log burst, each naming the field and the reason.

export class ConfigErrors {
  messages: Array<string> = new Array<string>();

  /** Records `reason` for the field at `path` ("" for the configuration as a whole). */
  add(path: string, reason: string): void {
    if (path.length == 0) this.messages.push("configuration: " + reason);
    else this.messages.push("field `" + path + "`: " + reason);
  }

  get count(): i32 {
    return this.messages.length;
  }

  get ok(): bool {
    return this.messages.length == 0;
  }
}
