package io.conifer.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Background flushes and fsyncs of many files at once report their failures to the writer. */
class FlushBehindTest {
    @TempDir
    Path dir;

    @Test
    void aFailedBackgroundFlushIsThrownByTheNextStartOrAwait() throws Exception {
        FileChannel ch = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FlushBehind flush = new FlushBehind(ch);
        ch.write(ByteBuffer.wrap(new byte[4096]));
        flush.start();
        flush.await();
        ch.close();
        flush.start();
        assertThrows(ClosedChannelException.class, flush::await);
        flush.drain();
    }

    @Test
    void fsyncAllSyncsEveryFileAndNamesAMissingOne() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "a");
        Path b = Files.writeString(dir.resolve("b"), "b");
        DurableFiles.fsyncAll(List.of(a, b));
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> DurableFiles.fsyncAll(List.of(a, dir.resolve("missing"), b)));
        assertEquals(dir.resolve("missing").toString(), e.getFile());
    }
}
