package org.echodriver.windowschecks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Validates workflow files against the JSON schema of GitHub Actions workflows with
 * action-validator (nodetools/validate-workflow.mjs, run through NodeTools).
 */
final class WorkflowSchema {

    private WorkflowSchema() {
    }

    /** One entry per file: {file, errors: [{path, title, detail, code}]}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> validate(Path... files) {
        return (List<Map<String, Object>>) NodeTools.run("action-validator", "validate-workflow.mjs",
                List.of("node_modules/@action-validator/core/package.json"), List.of(files));
    }
}
