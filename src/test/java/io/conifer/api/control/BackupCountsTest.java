package io.conifer.api.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.backup.BackupManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.openapitools.db_control.client.JSON;
import org.openapitools.db_control.client.model.BackupModel;

/**
 * A backup whose record count and size do not fit in 32 bits, as each API version reports it. Making
 * one for real would take gigabytes of disk, so the manifest is written here and the model the Java SDK
 * 6.1.0 parses (its own BackupModel, 32-bit counts) reads what the dialect writes.
 */
class BackupCountsTest {
    private static final long RECORDS = 3_000_000_000L;
    private static final long SIZE = 5L << 30;

    private static BackupManifest bigBackup() throws IOException {
        return BackupManifest.fromJson(("{\"backup_id\":\"b1\",\"project\":\"p\",\"status\":\"Ready\","
                + "\"created_at\":\"2026-01-01T00:00:00.000Z\",\"source_index_name\":\"src\",\"source_index_id\":\"i1\","
                + "\"cloud\":\"aws\",\"region\":\"us-east-1\",\"vector_type\":\"dense\",\"dimension\":3,\"metric\":\"cosine\","
                + "\"record_count\":" + RECORDS + ",\"namespace_count\":2,\"size_bytes\":" + SIZE + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void versionsTheJavaSdkReadsReportCountsOver32BitsAsTheLargestInt() throws IOException {
        ObjectNode json = ClassicDialect.INSTANCE.backup(bigBackup(), null);
        assertEquals(Integer.MAX_VALUE, json.get("record_count").asLong(), json.toString());
        assertEquals(Integer.MAX_VALUE, json.get("size_bytes").asLong(), json.toString());
        new JSON(); // sets up the SDK's Gson, as its ApiClient does
        BackupModel parsed = BackupModel.fromJson(json.toString());
        assertEquals(Integer.MAX_VALUE, parsed.getRecordCount());
        assertEquals(Integer.MAX_VALUE, parsed.getSizeBytes());
        assertEquals(2, parsed.getNamespaceCount());
    }

    @Test
    void v2026_07DeclaresInt64AndReportsThemInFull() throws IOException {
        ObjectNode json = Dialect2026_07.INSTANCE.backup(bigBackup(), null);
        assertEquals(RECORDS, json.get("record_count").asLong());
        assertEquals(SIZE, json.get("size_bytes").asLong());
        assertEquals(2, json.get("namespace_count").asInt());
    }
}
