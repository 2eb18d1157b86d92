package org.cogview2.spi;

import java.util.Objects;

/** Whether a backend can run on this machine, and if not, why (for example "no CUDA driver found"). */
public record Availability(boolean available, String reason) {

    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    public static Availability yes() {
        return new Availability(true, "available");
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
