package lossservice.backend;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * Initialises ND4J on a background thread as soon as the backend is chosen. Loading its native libraries
 * takes seconds, and it needs nothing from the application context, so it overlaps with the context's
 * creation instead of following it; {@link ActiveBackend} waits for it before warming up.
 */
final class Nd4jPreloader {

    private static CompletableFuture<Nd4jBackend> loading;

    private Nd4jPreloader() {
    }

    /** Starts the initialisation once per process; the backend's class loader must be installed first. */
    static synchronized void start() {
        if (loading != null) {
            return;
        }
        CompletableFuture<Nd4jBackend> future = new CompletableFuture<>();
        loading = future;
        Thread thread = new Thread(() -> {
            try {
                Nd4jBackend backend = Nd4j.getBackend();
                Nd4j.getExecutioner();
                future.complete(backend);
            } catch (Throwable failure) {
                // Kept for ActiveBackend, which reports it: a class that failed to initialise only gives
                // later callers a bare NoClassDefFoundError.
                future.completeExceptionally(failure);
            }
        }, "nd4j-preload");
        thread.setDaemon(true);
        thread.start();
    }

    /** The backend ND4J loaded, once it has; ND4J's own failure, unwrapped, if it could not. */
    static Nd4jBackend await() {
        start();
        CompletableFuture<Nd4jBackend> future;
        synchronized (Nd4jPreloader.class) {
            future = loading;
        }
        try {
            return future.join();
        } catch (CompletionException wrapped) {
            Throwable failure = wrapped.getCause();
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            throw wrapped;
        }
    }
}
