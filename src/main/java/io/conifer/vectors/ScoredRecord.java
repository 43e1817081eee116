package io.conifer.vectors;

import java.util.Map;

/** A query match; values, sparse and metadata are null unless the query asked for them. */
public record ScoredRecord(String id, float score, float[] values, SparseVector sparse, Map<String, Object> metadata) {}
