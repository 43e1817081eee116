package io.conifer.cli;

/**
 * How far a server-side operation is, as the server reports it: whole percents, and the bytes done out
 * of the total when they are known ({@code totalBytes} 0 when not).
 */
record Progress(int percent, long doneBytes, long totalBytes) {
    static Progress of(int percent, long totalBytes) {
        return new Progress(percent, totalBytes * percent / 100, totalBytes);
    }

    boolean hasBytes() {
        return totalBytes > 0;
    }
}
