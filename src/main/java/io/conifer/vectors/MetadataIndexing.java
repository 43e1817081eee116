package io.conifer.vectors;

import java.util.Set;

/**
 * Which metadata fields are indexed for filtering: every one (Pinecone's default), or only those a
 * metadata schema declares filterable, the index's or a namespace's. A filter may name only indexed
 * fields; the schema that leaves a field out is what the refusal names.
 */
@FunctionalInterface
public interface MetadataIndexing {
    MetadataIndexing ALL = field -> null;

    /** Null when {@code field} is indexed; otherwise the schema leaving it out, as an error names it ("the index schema"). */
    String leftOutBy(String field);

    default boolean indexes(String field) {
        return leftOutBy(field) == null;
    }

    /** Indexes a field only where both index it. */
    default MetadataIndexing and(MetadataIndexing other) {
        return field -> {
            String by = leftOutBy(field);
            return by != null ? by : other.leftOutBy(field);
        };
    }

    /** The fields {@code schema} declares filterable; null (no schema) indexes every field. */
    static MetadataIndexing declared(Set<String> fields, String schema) {
        return fields == null ? ALL : field -> fields.contains(field) ? null : schema;
    }
}
