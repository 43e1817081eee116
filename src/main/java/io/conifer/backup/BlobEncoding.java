package io.conifer.backup;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How a repository turns a file into the bytes it stores and the name it stores them under; it may
 * open the same file more than once (an object store that needs the name before it uploads).
 */
@FunctionalInterface
public interface BlobEncoding {
    /** The file as is, named by its {@link TreeHash}. */
    BlobEncoding PLAIN = BlobSource::plain;

    BlobSource open(Path file) throws IOException;
}
