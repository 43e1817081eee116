package io.conifer.vectors;

import java.util.Map;

/**
 * One record as stored: an id, a dense vector and/or a sparse vector, and optional metadata whose
 * values are strings, doubles, booleans or lists of strings.
 */
public record VectorRecord(String id, float[] values, SparseVector sparse, Map<String, Object> metadata) {}
