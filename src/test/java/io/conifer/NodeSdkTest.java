package io.conifer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives an in-process Conifer with the official Pinecone TypeScript SDK 8.2.0 (API 2026-04): runs
 * {@code node --test src/test/node/sdk.test.mjs src/test/node/backup.test.mjs} (see those files for
 * what they cover) through {@link NodeSuite}. The SDK is installed by {@code npm ci} in
 * {@code src/test/node}, which {@code ./run-tests} does before Maven.
 */
class NodeSdkTest {
    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final List<Path> TEST_FILES = List.of(NODE_DIR.resolve("sdk.test.mjs"), NODE_DIR.resolve("backup.test.mjs"));
    private static final Path SDK = NODE_DIR.resolve(Path.of("node_modules", "@pinecone-database", "pinecone", "package.json"));

    @Test
    void officialTypeScriptSdkPassesAgainstConifer(@TempDir Path dataDir) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        for (Path file : TEST_FILES) {
            assertTrue(Files.isRegularFile(root.resolve(file)), "Run from the project root: " + file + " not found under " + root);
        }
        if (!Files.isRegularFile(root.resolve(SDK))) {
            fail("The Pinecone TypeScript SDK is not installed (" + SDK + " is missing): run `npm ci` in "
                    + NODE_DIR + " (./run-tests does that before Maven).");
        }
        String node = findOnPath("node");
        if (node == null) fail("`node` (Node.js >= 20) is not on the PATH; it is needed to run " + TEST_FILES);
        NodeSuite.run(node, TEST_FILES, dataDir);
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate.toString();
        }
        return null;
    }
}
