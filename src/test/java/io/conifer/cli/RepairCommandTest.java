package io.conifer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.Await;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.index.OfflineIndexes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code conifer repair} on a crashed server's data directory, then the server on the repaired one. */
class RepairCommandTest {
    private static final int HEADER = 16;

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run repair(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        String[] full = new String[args.length + 1];
        full[0] = "repair";
        System.arraycopy(args, 0, full, 1, args.length);
        int exit = cli.execute(full);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Index "logs" with 100 acknowledged upserts (log sequences 1..100) and index "other" with one, then a crash. */
    private Path hundredUpsertsThenCrash(Path data) throws IOException {
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http other = control.forHost(control.createDense("other", 3, "cosine"));
            assertEquals(200, other.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"o\",\"values\":[1,2,3]}]}").status());
            Http d = control.forHost(control.createDense("logs", 3, "cosine"));
            for (int i = 0; i < 100; i++) {
                assertEquals(200, d.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"v" + i + "\",\"values\":[1," + i + ",2]}]}").status());
            }
            server.server().crash();
        }
        Path logs = OfflineIndexes.directory(data, "logs", null);
        try (Stream<Path> files = Files.list(logs.resolve("wal"))) {
            return files.filter(p -> p.getFileName().toString().matches("wal-\\d+\\.log")).max(Path::compareTo).orElseThrow();
        }
    }

    /** The byte offset of the record with sequence {@code seq} in a log file. */
    private static long offsetOf(Path wal, long seq) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wal));
        while (b.hasRemaining()) {
            if (b.getLong(b.position() + 4) == seq) return b.position();
            b.position(b.position() + HEADER + b.getInt(b.position()));
        }
        throw new AssertionError("no record " + seq + " in " + wal);
    }

    private static JsonNode stats(Path data) throws InterruptedException {
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Http logs = control.forHost(control.get("/indexes/logs").json().get("host").asText());
            // Indexes open in the background after start.
            Await.until("logs serves", () -> logs.post("/describe_index_stats", "{}").status() == 200);
            return logs.post("/describe_index_stats", "{}").json();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void flippedBitInRecord10Of100IsCutOnlyWhereTheOperatorSays() throws Exception {
        Path data = dir.resolve("data");
        Path wal = hundredUpsertsThenCrash(data);
        long record10 = offsetOf(wal, 10);
        byte[] bytes = Files.readAllBytes(wal);
        bytes[(int) record10 + HEADER + 4] ^= 0x10;
        Files.write(wal, bytes);

        assertEquals(2, repair("--data-dir", data.toString(), "--index", "nope").exit());
        Run report = repair("--data-dir", data.toString(), "--index", "logs");
        assertEquals(1, report.exit(), report.toString());
        assertTrue(report.out().contains("at byte " + record10 + " (sequence 10); 90 valid records (sequence 11..100) follow it"),
                report.out());
        Matcher command = Pattern.compile("--truncate-at (\\S+)").matcher(report.out());
        assertTrue(command.find(), report.out());
        assertEquals(wal.getFileName() + ":" + record10, command.group(1));
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(wal)), "a report changes nothing");

        // The server keeps this index closed, says where the damage is, serves the other one, and changes nothing.
        try (TestServer server = TestServer.start(data)) {
            Http control = new Http(server.url(), TestServer.KEY);
            Await.until("logs is marked failed", () -> control.get("/indexes/logs").json().get("status").get("state")
                    .asText().equals("InitializationFailed"));
            Http.Response refused = control.forHost(control.get("/indexes/logs").json().get("host").asText())
                    .get("/vectors/fetch?ids=v0");
            assertEquals(503, refused.status(), refused.toString());
            assertTrue(refused.body().contains("at byte " + record10 + " (sequence 10); 90 valid records"), refused.toString());
            Http other = control.forHost(control.get("/indexes/other").json().get("host").asText());
            assertEquals(1, other.get("/vectors/fetch?ids=o").json().get("vectors").size());
        }
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(wal)), "refusing to open changes nothing");

        Run elsewhere = repair("--data-dir", data.toString(), "--index", "logs", "--truncate-at", wal.getFileName() + ":" + (record10 + 1));
        assertEquals(2, elsewhere.exit());
        assertTrue(elsewhere.err().contains("The first damage is at " + wal.getFileName() + ":" + record10), elsewhere.err());

        Run cut = repair("--data-dir", data.toString(), "--index", "logs", "--truncate-at", command.group(1));
        assertEquals(0, cut.exit(), cut.toString());
        assertTrue(cut.out().contains(wal.getFileName() + ".at-" + record10 + ".cut"), cut.out());

        assertEquals(9, stats(data).get("totalVectorCount").asLong());
    }

    @Test
    void tornTailIsReportedAsHarmlessAndNothingAcknowledgedIsLost() throws Exception {
        Path data = dir.resolve("data");
        Path wal = hundredUpsertsThenCrash(data);
        Files.write(wal, ByteBuffer.allocate(HEADER + 7).putInt(300).putLong(101).array(), StandardOpenOption.APPEND);

        Run report = repair("--data-dir", data.toString(), "--index", "logs");
        assertEquals(0, report.exit(), report.toString());
        assertTrue(report.out().contains("torn tail"), report.out());
        assertEquals(100, stats(data).get("totalVectorCount").asLong());
        assertTrue(repair("--data-dir", data.toString(), "--index", "logs").out().contains("OK: no damage."));
    }

    @Test
    void repairNamesTheFormItExpects() {
        Run bad = repair("--data-dir", dir.toString(), "--index", "logs", "--truncate-at", "wal-1.log");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--truncate-at': takes FILE:OFFSET as the report prints it"), bad.err());
    }
}
