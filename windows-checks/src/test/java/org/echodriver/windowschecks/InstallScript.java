package org.echodriver.windowschecks;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What install.ps1 creates, followed through the script: the hardware id it passes to
 * devgen (/hardwareid) and devcon (install), resolved through Get-EchoConstant in
 * EchoCommon.psm1 when the script names it through that object.
 */
final class InstallScript {

    private InstallScript() {
    }

    static String hardwareId() {
        String install = Repository.text("scripts/install.ps1");
        List<String> expressions = new ArrayList<>();
        Matcher devgen = Pattern.compile("'/hardwareid'\\s*,\\s*([^)\\s,]+)").matcher(install);
        while (devgen.find()) {
            expressions.add(devgen.group(1));
        }
        Matcher devcon = Pattern.compile("@\\(\\s*'install'\\s*,\\s*[^,]+,\\s*([^)\\s,]+)\\s*\\)").matcher(install);
        while (devcon.find()) {
            expressions.add(devcon.group(1));
        }
        if (expressions.isEmpty()) {
            throw new AssertionError("install.ps1 passes no hardware id to devgen /hardwareid or devcon install");
        }
        String id = null;
        for (String expression : expressions) {
            String resolved = resolve(install, expression);
            if (id != null && !id.equals(resolved)) {
                throw new AssertionError("install.ps1 creates devices with two hardware ids: " + id + " and " + resolved);
            }
            id = resolved;
        }
        return id;
    }

    private static String resolve(String install, String expression) {
        Matcher literal = Pattern.compile("'([^']*)'").matcher(expression);
        if (literal.matches()) {
            return literal.group(1);
        }
        Matcher member = Pattern.compile("\\$(\\w+)\\.(\\w+)").matcher(expression);
        if (!member.matches()) {
            throw new AssertionError("install.ps1: cannot follow the hardware id expression " + expression);
        }
        String variable = member.group(1);
        String property = member.group(2);
        if (!Pattern.compile("\\$" + variable + "\\s*=\\s*Get-EchoConstant\\b").matcher(install).find()) {
            throw new AssertionError("install.ps1: $" + variable + " does not come from Get-EchoConstant");
        }
        String module = Repository.text("scripts/EchoCommon.psm1");
        Matcher field = Pattern.compile("\\b" + property + "\\s*=\\s*\\$script:(\\w+)").matcher(module);
        if (!field.find()) {
            throw new AssertionError("EchoCommon.psm1: Get-EchoConstant has no " + property);
        }
        Matcher value = Pattern.compile("\\$script:" + field.group(1) + "\\s*=\\s*'([^']*)'").matcher(module);
        if (!value.find()) {
            throw new AssertionError("EchoCommon.psm1: $script:" + field.group(1) + " is not set to a literal");
        }
        return value.group(1);
    }
}
