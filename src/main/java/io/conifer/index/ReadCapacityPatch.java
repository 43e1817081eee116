package io.conifer.index;

import io.conifer.error.ConiferException;

/**
 * A configure_index change of read capacity: {@code OnDemand}, or {@code Dedicated} with any of its
 * settings, null where the request left one out. The specs let a patch name only what changes (a
 * node type alone, a replica count alone), and only the index knows the rest, so the patch is merged
 * onto the index's current capacity under its lock; the merged result must be complete.
 */
public record ReadCapacityPatch(String mode, String nodeType, String scaling, Integer replicas, Integer shards) {
    public static final ReadCapacityPatch ON_DEMAND = new ReadCapacityPatch("OnDemand", null, null, null, null);

    /** The capacity after this patch; 400 naming the first setting neither the patch nor the index has. */
    public ReadCapacity applyTo(ReadCapacity current) {
        if (!"Dedicated".equals(mode)) return ReadCapacity.ON_DEMAND;
        ReadCapacity base = current != null && current.isDedicated() ? current : new ReadCapacity(mode, null, null, null, null);
        ReadCapacity merged = new ReadCapacity(mode,
                nodeType != null ? nodeType : base.nodeType(),
                scaling != null ? scaling : base.scaling(),
                replicas != null ? replicas : base.replicas(),
                shards != null ? shards : base.shards());
        String missing = merged.nodeType() == null ? "node_type (b1 or t1)"
                : merged.scaling() == null ? "scaling ('Manual')"
                : merged.replicas() == null ? "manual.replicas"
                : merged.shards() == null ? "manual.shards" : null;
        if (missing != null) {
            throw ConiferException.invalid("The index's read capacity is OnDemand: switching it to Dedicated needs"
                    + " read_capacity.dedicated." + missing);
        }
        return merged;
    }
}
