package io.conifer.vectors;

import java.util.List;

/**
 * A namespace's live record count and the metadata schema it was created with: the fields declared
 * filterable, or null when it has none (Conifer indexes every metadata field either way).
 */
public record NamespaceInfo(long records, List<String> filterableFields) {}
