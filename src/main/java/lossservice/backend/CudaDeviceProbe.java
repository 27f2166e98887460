package lossservice.backend;

import java.util.Optional;

/** Finds out whether a CUDA device can be used, without letting ND4J choose anything. */
@FunctionalInterface
interface CudaDeviceProbe {

    /** Empty when a CUDA device is usable, otherwise the reason in one line. */
    Optional<String> whyUnusable();
}
