package org.echodriver.echoapp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version printed by --version, from the build's version.properties. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {
            "echoapp " + properties.getProperty("version", "unknown"),
            "Java ${java.version} (${java.vendor}), ${os.name} ${os.arch}"
        };
    }
}
