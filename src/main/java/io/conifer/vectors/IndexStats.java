package io.conifer.vectors;

import java.util.SortedMap;

/**
 * Record counts per namespace (only non-empty namespaces; only records a filter matches, if one was
 * given) and the total of every record, whatever the filter (the spec's {@code totalVectorCount}).
 */
public record IndexStats(SortedMap<String, Long> namespaces, long total) {
    /** The records the filter matched, over every namespace. */
    public long matching() {
        return namespaces.values().stream().mapToLong(Long::longValue).sum();
    }
}
