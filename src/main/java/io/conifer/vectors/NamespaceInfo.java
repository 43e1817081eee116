package io.conifer.vectors;

import java.util.List;

/**
 * A namespace's live record count and the metadata schema it was created with: the fields declared
 * filterable, the only ones its records index, or null when it has none (every field is indexed).
 */
public record NamespaceInfo(long records, List<String> filterableFields) {}
