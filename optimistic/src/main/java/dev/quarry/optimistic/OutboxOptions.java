package dev.quarry.optimistic;

/**
 * Limits of an {@link OutboxStore} file. Immutable; build with {@link #builder()}, derive with
 * {@link #newBuilder()}.
 *
 * <p>Both limits count every record the file holds, pending and set aside. An {@link
 * OutboxStore#append append} that would pass either limit fails with an {@link OutboxException}
 * naming the file, the limit and the current figures; nothing is stored and nothing already
 * accepted is touched. Marking records done (or removing nothing) makes room again.
 *
 * <pre>{@code
 * OutboxStore store = OutboxStore.open(dir.resolve("outbox.mv"),
 *     OutboxOptions.builder().maxRecords(5_000).maxBytes(8L << 20).build());
 * }</pre>
 */
public final class OutboxOptions {
  private static final OutboxOptions DEFAULTS = builder().build();

  private final int maxRecords;
  private final long maxBytes;

  private OutboxOptions(Builder b) {
    this.maxRecords = b.maxRecords;
    this.maxBytes = b.maxBytes;
  }

  /** 10,000 records and 32 MiB. */
  public static OutboxOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder newBuilder() {
    Builder b = new Builder();
    b.maxRecords = maxRecords;
    b.maxBytes = maxBytes;
    return b;
  }

  /** The most records (pending and set aside) the file holds. */
  public int maxRecords() {
    return maxRecords;
  }

  /**
   * The most bytes of records (their stored envelopes, pending and set aside) the file holds. The
   * file itself stays within a small multiple of this plus about 1 MiB: it is rewritten when it
   * grows past that.
   */
  public long maxBytes() {
    return maxBytes;
  }

  @Override
  public String toString() {
    return "OutboxOptions{maxRecords=" + maxRecords + ", maxBytes=" + maxBytes + "}";
  }

  /** Builds {@link OutboxOptions}; not thread-safe. */
  public static final class Builder {
    private int maxRecords = 10_000;
    private long maxBytes = 32L << 20;

    private Builder() {}

    /**
     * The most records the file holds (default 10,000).
     *
     * @throws IllegalArgumentException if {@code maxRecords} is below 1
     */
    public Builder maxRecords(int maxRecords) {
      if (maxRecords < 1) {
        throw new IllegalArgumentException("maxRecords must be at least 1, was " + maxRecords);
      }
      this.maxRecords = maxRecords;
      return this;
    }

    /**
     * The most bytes of records the file holds (default 32 MiB).
     *
     * @throws IllegalArgumentException if {@code maxBytes} is below 1024
     */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes < 1024) {
        throw new IllegalArgumentException("maxBytes must be at least 1024, was " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /** The options. */
    public OutboxOptions build() {
      return new OutboxOptions(this);
    }
  }
}
