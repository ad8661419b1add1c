// On/off switches read from the environment: SR_EMBED=1 is on, and so is any
// other value except the empty string, 0, false, no and off (SR_EMBED=0 is off).
const OFF = new Set(["", "0", "false", "no", "off"]);

export function envFlag(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[name];
  return v !== undefined && !OFF.has(v.trim().toLowerCase());
}
