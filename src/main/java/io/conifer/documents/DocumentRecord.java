package io.conifer.documents;

import java.util.Map;

/**
 * A document of a document index: its {@code _id} and its fields, typed by the index schema. A
 * full-text field holds a {@code String}, a dense vector field a {@code float[]}, a sparse vector field
 * an {@link io.conifer.vectors.SparseVector}; every other field is metadata, typed as in
 * {@link io.conifer.vectors.Metadata} (String, Double, Boolean, List of String).
 */
public record DocumentRecord(String id, Map<String, Object> fields) {}
