package io.conifer.index;

/**
 * The read capacity an index was created or configured with: {@code OnDemand}, or {@code Dedicated}
 * with Pinecone's node type and manual scaling (replicas, shards). It is part of the index's
 * definition so that every API version can render it where its spec puts it. Conifer serves every
 * index from its one process whatever is asked, and says so in the status it reports.
 */
public record ReadCapacity(String mode, String nodeType, String scaling, Integer replicas, Integer shards) {
    public static final ReadCapacity ON_DEMAND = new ReadCapacity("OnDemand", null, null, null, null);

    public boolean isDedicated() {
        return "Dedicated".equals(mode);
    }

    /** What one process provides: one replica holding every shard of the data. */
    public static final int SERVED_REPLICAS = 1;
    public static final int SERVED_SHARDS = 1;

    /** Why the capacity served differs from the one asked for, or null when it does not. */
    public String servedDifference() {
        if (!isDedicated() || (replicas == SERVED_REPLICAS && shards == SERVED_SHARDS)) return null;
        return "Conifer serves every index from one node: " + SERVED_REPLICAS + " replica and " + SERVED_SHARDS
                + " shard, whatever is requested (" + replicas + " replicas, " + shards + " shards)";
    }
}
