package io.conifer.backup;

import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This data directory's name in a backup repository several servers share: random, made once and kept,
 * so a restarted server finds its own blobs (and a server on a fresh directory never takes another's).
 * Kept in {@code DATA_DIR/server-id}.
 */
public final class ServerId {
    private ServerId() {}

    public static String load(Path dataDir) throws IOException {
        Path file = dataDir.resolve("server-id");
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (id.matches("[0-9a-f-]{36}")) return id;
        }
        String id = UUID.randomUUID().toString();
        DurableFiles.writeAtomically(file, id.getBytes(StandardCharsets.US_ASCII));
        return id;
    }
}
