export * from "./host";
export * from "./context";
