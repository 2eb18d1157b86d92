package org.cogview2.backend.vector;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;

/** Run in a JVM started without the vector module: prints what discovery sees and selects. */
public final class DiscoveryProbe {

    private DiscoveryProbe() {
    }

    public static void main(String[] args) {
        Backends.discover().list().forEach(System.out::println);
        try (Backend b = Backends.discover().select()) {
            System.out.println("selected " + b.name());
        }
    }
}
