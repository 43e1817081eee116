package io.conifer;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Polls for something that happens in the background, failing after a bound rather than sleeping a fixed time. */
public final class Await {
    private Await() {}

    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 60 s: " + what);
            Thread.sleep(50);
        }
    }
}
