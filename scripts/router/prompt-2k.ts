// The 2 KB prompt the router's speed figures are measured on
// (scripts/router/envoy-decision.ts, scripts/router/static/embed-speed.ts).
/** A 2,048-byte prompt of varied English text (no repeats shorter than a paragraph). */
function prompt2k(): string {
  const text =
    "Our team is planning a two week trip across Japan in the spring and we are trying to work out the budget. " +
    "We would like to know whether a rail pass pays off if we travel from Tokyo to Kyoto, then Osaka, Hiroshima and back. " +
    "Also, my credit card was declined twice at the airport last time, so I wonder if I should tell my bank before leaving " +
    "and whether there are foreign transaction fees I can avoid. Could you suggest a few restaurants near Kyoto station " +
    "that serve vegetarian food, and explain how tipping works there? Finally, what is the weather usually like in April, " +
    "and do I need an adapter for my laptop charger? I also need to renew my passport, which expires in five months. ";
  return text.repeat(Math.ceil(2048 / text.length)).slice(0, 2048);
}

export const PROMPT_2K = prompt2k();
