package org.echodriver.echoapp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version printed by --version: the jar's Implementation-Version, else the build's version.properties. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties properties = versionProperties();
        return new String[] {
            "echoapp " + properties.getProperty("version", "unknown"),
            "Java ${java.version} (${java.vendor}), ${os.name} ${os.arch}"
        };
    }

    /**
     * In a jar, the version comes from its manifest (Implementation-Version, the project's
     * version), which the class loader has already read: opening version.properties inside
     * the jar would load and run the JDK's jar: URL connection classes at every start. Run
     * from a directory of classes (the tests), it comes from version.properties.
     */
    private static Properties versionProperties() throws IOException {
        Properties properties = new Properties();
        String fromManifest = VersionProvider.class.getPackage().getImplementationVersion();
        if (fromManifest != null) {
            properties.setProperty("version", fromManifest);
            return properties;
        }
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return properties;
    }
}
