// Integer sums that stop at the ends of i64 instead of wrapping: token
// counts come from strangers, and a wrapped sum would turn a huge count into
// a negative one (a budget given back instead of used).

/** a + b, held at i64.MAX_VALUE / i64.MIN_VALUE instead of wrapping. */
export function addSaturating(a: i64, b: i64): i64 {
  const sum = a + b;
  // Overflow happened when both operands have the sign the sum lacks.
  if (((a ^ sum) & (b ^ sum)) < 0) return a < 0 ? i64.MIN_VALUE : i64.MAX_VALUE;
  return sum;
}
