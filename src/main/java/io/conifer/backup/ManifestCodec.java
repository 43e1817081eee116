package io.conifer.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The stored form of a manifest copy, the same in every repository: one header line
 * {@code conifer-manifest sha256=HEX} and the JSON it checksums, so damage done later (a truncation, a
 * bad sector, a partial overwrite) is recognised and the other copy used.
 */
final class ManifestCodec {
    private static final String HEADER = "conifer-manifest sha256=";

    private ManifestCodec() {}

    static byte[] encode(byte[] json) {
        byte[] header = (HEADER + HexFormat.of().formatHex(LocalBackupRepository.sha256().digest(json)) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] file = new byte[header.length + json.length];
        System.arraycopy(header, 0, file, 0, header.length);
        System.arraycopy(json, 0, file, header.length, json.length);
        return file;
    }

    /** One copy of a manifest: its checked JSON, or why it is unusable (and its raw body, for salvage). */
    record Copy(byte[] json, String problem, byte[] raw) {}

    /** Decodes the copy called {@code name}; {@code bytes} null means it does not exist. */
    static Copy decode(String name, byte[] bytes) {
        if (bytes == null) return new Copy(null, name + " is missing", new byte[0]);
        byte[] prefix = HEADER.getBytes(StandardCharsets.US_ASCII);
        int newline = indexOf(bytes, (byte) '\n');
        if (bytes.length < prefix.length + 64 || newline != prefix.length + 64
                || !Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length)) {
            if (isCompleteJson(bytes)) return new Copy(bytes, null, bytes); // written before checksums
            return new Copy(null, name + " has no valid checksum header (" + bytes.length + " bytes)", bytes);
        }
        String expected = new String(bytes, prefix.length, 64, StandardCharsets.US_ASCII);
        byte[] json = Arrays.copyOfRange(bytes, newline + 1, bytes.length);
        String actual = HexFormat.of().formatHex(LocalBackupRepository.sha256().digest(json));
        if (!actual.equals(expected)) {
            return new Copy(null, name + " is damaged: its " + json.length + " bytes of JSON do not match its checksum", json);
        }
        return new Copy(json, null, json);
    }

    /** The manifest the two copies give, what is wrong with either, or why neither can be used. */
    static Optional<BackupRepository.ManifestRead> combine(Copy primary, Copy copy, String copyName)
            throws BackupRepository.DamagedManifestException {
        if (primary.json() != null) {
            String damage = copy.json() == null ? copy.problem()
                    : Arrays.equals(primary.json(), copy.json()) ? null : copyName + " is out of date";
            return Optional.of(new BackupRepository.ManifestRead(primary.json(), damage, true));
        }
        if (copy.json() != null) {
            return Optional.of(new BackupRepository.ManifestRead(copy.json(), primary.problem() + "; recovered from the copy", false));
        }
        if (primary.raw().length == 0 && copy.raw().length == 0) return Optional.empty();
        byte[] salvage = primary.raw().length >= copy.raw().length ? primary.raw() : copy.raw();
        throw new BackupRepository.DamagedManifestException(primary.problem() + ", and " + copy.problem(), salvage);
    }

    private static boolean isCompleteJson(byte[] bytes) {
        try {
            return new ObjectMapper().readTree(bytes).isObject();
        } catch (IOException e) {
            return false;
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == b) return i;
        return -1;
    }
}
