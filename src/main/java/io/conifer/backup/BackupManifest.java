package io.conifer.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a backup is: the source index's configuration, the record counts at the backup's point
 * in time, and the Lucene files of that commit, each with its content hash, length and CRC32C. A
 * backup is {@code Ready} only once every blob it names is durable in the repository.
 *
 * <p>{@code writerSession} names the Lucene writer the files came from: within one session Lucene
 * never writes two different files under one name, so a later backup may recognise an unchanged file
 * by name, length and footer checksum without reading it; across sessions (after a crash the writer
 * reuses names of files it flushed but never committed) it may not.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
        String backupId,
        String project,
        String name,
        String description,
        BackupStatus status,
        String failureReason,
        String createdAt,
        String sourceIndexName,
        String sourceIndexId,
        String cloud,
        String region,
        String vectorType,
        int dimension,
        String metric,
        Set<String> filterableFields,
        Map<String, String> tags,
        boolean deletionProtection,
        long recordCount,
        int namespaceCount,
        Map<String, Long> namespaces,
        long sizeBytes,
        String writerSession,
        List<FileEntry> files) {

    /** One Lucene file of the backed-up commit. */
    public record FileEntry(String name, String sha256, long length, int crc32c, long luceneChecksum) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public BackupManifest withStatus(BackupStatus newStatus, String reason) {
        return new BackupManifest(backupId, project, name, description, newStatus, reason, createdAt, sourceIndexName,
                sourceIndexId, cloud, region, vectorType, dimension, metric, filterableFields, tags, deletionProtection,
                recordCount, namespaceCount, namespaces, sizeBytes, writerSession, files);
    }

    public BackupManifest ready(List<FileEntry> copied) {
        long size = 0;
        for (FileEntry f : copied) size += f.length();
        return new BackupManifest(backupId, project, name, description, BackupStatus.Ready, null, createdAt,
                sourceIndexName, sourceIndexId, cloud, region, vectorType, dimension, metric, filterableFields, tags,
                deletionProtection, recordCount, namespaceCount, namespaces, size, writerSession, List.copyOf(copied));
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BackupManifest fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, BackupManifest.class);
    }
}
