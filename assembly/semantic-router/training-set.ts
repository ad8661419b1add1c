// The examples' sparse vectors while the model trains: one feature id and one
// value per entry, example after example, in unmanaged memory that dispose()
// frees as soon as the index is built.
//
// Training runs inside one callback, where no garbage is collected, so every
// managed array it made (three per example) stayed in the VM's resident
// memory for good, and a worker's VM kept the training's peak. Freed at
// once, the same bytes are reused by what the training builds next.
export class TrainingSet {
  /** Example e's entries are [start[e], start[e + 1]). */
  readonly start: Int32Array;
  /** Entries so far. */
  size: i32 = 0;
  private ids: usize = 0;
  private values: usize = 0;
  private capacity: i32 = 0;
  private examples: i32 = 0;

  constructor(examples: i32) {
    this.start = new Int32Array(examples + 1);
    this.capacity = 4096;
    this.ids = heap.alloc(<usize>this.capacity << 2);
    this.values = heap.alloc(<usize>this.capacity << 3);
  }

  /** Adds an entry to the example being read. */
  push(id: i32, value: f64): void {
    if (this.size == this.capacity) {
      this.capacity <<= 1;
      this.ids = heap.realloc(this.ids, <usize>this.capacity << 2);
      this.values = heap.realloc(this.values, <usize>this.capacity << 3);
    }
    store<i32>(this.ids + (<usize>this.size << 2), id);
    store<f64>(this.values + (<usize>this.size << 3), value);
    this.size++;
  }

  /** Ends the example being read: the entries pushed since the last call are its own. */
  endExample(): void {
    this.start[++this.examples] = this.size;
  }

  // @ts-ignore: decorator
  @inline
  idAt(k: i32): i32 {
    return load<i32>(this.ids + (<usize>k << 2));
  }

  // @ts-ignore: decorator
  @inline
  valueAt(k: i32): f64 {
    return load<f64>(this.values + (<usize>k << 3));
  }

  // @ts-ignore: decorator
  @inline
  setValue(k: i32, v: f64): void {
    store<f64>(this.values + (<usize>k << 3), v);
  }

  // @ts-ignore: decorator
  @inline
  from(e: i32): i32 {
    return unchecked(this.start[e]);
  }

  // @ts-ignore: decorator
  @inline
  to(e: i32): i32 {
    return unchecked(this.start[e + 1]);
  }

  /** Frees the entries; the set must not be used afterwards. */
  dispose(): void {
    if (this.ids == 0) return;
    heap.free(this.ids);
    heap.free(this.values);
    this.ids = 0;
    this.values = 0;
    this.capacity = 0;
    this.size = 0;
  }
}
