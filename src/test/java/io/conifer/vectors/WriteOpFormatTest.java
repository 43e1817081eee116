package io.conifer.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Vector log records keep the byte layout of logs written before the storage engine was split, so an
 * existing data directory replays: each record is built here field by field as the old writer did.
 */
class WriteOpFormatTest {
    @Test
    void vectorLogRecordsKeepTheirByteLayout() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream old = new DataOutputStream(bytes);
        old.writeByte(1); // upsert
        old.writeUTF("ns");
        old.writeInt(1);
        old.writeUTF("a");
        old.writeInt(2);
        old.writeFloat(1f);
        old.writeFloat(0.5f);
        old.writeInt(1);
        old.writeInt(7);
        old.writeFloat(2f);
        byte[] meta = "{\"g\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        old.writeInt(meta.length);
        old.write(meta);
        WriteOp.Upsert upsert = new WriteOp.Upsert("ns", List.of(new VectorRecord("a", new float[] {1f, 0.5f},
                new SparseVector(new int[] {7}, new float[] {2f}), Map.of("g", "x"))));
        assertArrayEquals(bytes.toByteArray(), WriteOp.encode(upsert));
        WriteOp.Upsert decoded = (WriteOp.Upsert) WriteOp.decode(bytes.toByteArray());
        assertEquals("ns", decoded.namespace());
        assertArrayEquals(new float[] {1f, 0.5f}, decoded.records().get(0).values());
        assertEquals(Map.of("g", "x"), decoded.records().get(0).metadata());

        bytes.reset();
        old.writeByte(2); // delete ids
        old.writeUTF("ns");
        old.writeInt(2);
        old.writeUTF("a");
        old.writeUTF("b");
        assertArrayEquals(bytes.toByteArray(), WriteOp.encode(new WriteOp.DeleteIds("ns", List.of("a", "b"))));

        bytes.reset();
        old.writeByte(5); // a namespace declared before schemas existed: no field list
        old.writeUTF("ns");
        assertEquals(new WriteOp.DeclareNamespace("ns", null), WriteOp.decode(bytes.toByteArray()));
    }
}
