package io.conifer.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Finds a catalogued index's directory without a running server, for offline tools. */
public final class OfflineIndexes {
    private OfflineIndexes() {}

    /** The directory of index {@code name} ({@code project} may be null when only one project has that name). */
    public static Path directory(Path dataDir, String name, String project) throws IOException {
        List<IndexDefinition> matches = IndexCatalog.load(dataDir.resolve("catalog.json")).all().stream()
                .filter(d -> d.name().equals(name) && (project == null || d.project().equals(project)))
                .toList();
        if (matches.isEmpty()) {
            throw new IOException("No index named '" + name + "'" + (project == null ? "" : " in project '" + project + "'")
                    + " in the catalog of " + dataDir.toAbsolutePath());
        }
        if (matches.size() > 1) {
            throw new IOException("Several projects have an index named '" + name + "' ("
                    + String.join(", ", matches.stream().map(IndexDefinition::project).toList()) + "): add --project");
        }
        return dataDir.resolve("indexes").resolve(matches.get(0).id());
    }
}
