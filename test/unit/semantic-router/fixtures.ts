// Configurations shared by the semantic-router unit, e2e and bench code.

/** Finance questions go to a fine-tuned model on the second cluster, cooking to another model, hard asks to the reasoning model. */
export const GATEWAY_CONFIG = {
  threshold: 0.2,
  default: { name: "base", model: "demo-base" },
  model_policy: "sentinel",
  sentinel_models: ["auto"],
  routes: [
    {
      name: "finance",
      model: "demo-finance",
      header: "alt",
      keywords: ["IBAN", "SWIFT code"],
      examples: [
        "what is my account balance",
        "transfer money to my savings account",
        "how much interest does my credit card charge",
        "pay my electricity bill",
        "report a fraudulent transaction on my card",
        "what is the routing number of my bank",
        "我的银行卡余额是多少",
        "帮我转账到储蓄账户",
      ],
    },
    {
      name: "cooking",
      model: "demo-chef",
      examples: [
        "how long should I bake a chicken",
        "give me a recipe for pancakes",
        "what can I substitute for butter in cookies",
        "how do I make tomato soup",
        "红烧肉怎么做",
        "蛋糕需要烤多久",
      ],
    },
    { name: "reasoning", model: "demo-reasoning", complexity: "complex" },
  ],
};
