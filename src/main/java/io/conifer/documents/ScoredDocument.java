package io.conifer.documents;

/** A search hit; {@code score} may be NaN or infinite, which the API renders as {@code _score: null}. */
public record ScoredDocument(DocumentRecord document, float score) {}
