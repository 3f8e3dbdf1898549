package org.echodriver.windowschecks;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** An MSBuild project file (echo.vcxproj, echo.vcxproj.filters) read as XML. */
final class Vcxproj {

    static final String MSBUILD_NS = "http://schemas.microsoft.com/developer/msbuild/2003";

    /** An item (ClCompile, ClInclude, Inf, ...) with its Include and the Condition on it or its group. */
    record Item(String type, String include, String condition) {
    }

    private final Document document;

    private Vcxproj(Document document) {
        this.document = document;
    }

    static Vcxproj read(String relative) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            return new Vcxproj(builder.parse(new ByteArrayInputStream(Repository.bytes(relative))));
        } catch (Exception e) {
            throw new AssertionError(relative + " is not well-formed XML: " + e.getMessage(), e);
        }
    }

    Element root() {
        return document.getDocumentElement();
    }

    List<Element> elements(String localName) {
        List<Element> list = new ArrayList<>();
        NodeList nodes = document.getElementsByTagNameNS(MSBUILD_NS, localName);
        for (int i = 0; i < nodes.getLength(); i++) {
            list.add((Element) nodes.item(i));
        }
        return list;
    }

    /** The text of every element of this name, in document order. */
    List<String> values(String localName) {
        List<String> list = new ArrayList<>();
        for (Element e : elements(localName)) {
            list.add(e.getTextContent().trim());
        }
        return list;
    }

    /** The single unconditional value of a property, or an error naming what was found. */
    String property(String localName) {
        List<String> found = new ArrayList<>();
        for (Element e : elements(localName)) {
            if (conditionOf(e).isEmpty()) {
                found.add(e.getTextContent().trim());
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("expected one unconditional <" + localName + ">, found " + found);
        }
        return found.get(0);
    }

    /** A property's default that the command line may override: the one set under '$(Name)' == ''. */
    String overridableDefault(String localName) {
        List<String> found = new ArrayList<>();
        for (Element e : elements(localName)) {
            if (conditionOf(e).replace(" ", "").equals("'$(" + localName + ")'==''")) {
                found.add(e.getTextContent().trim());
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("expected one default <" + localName + "> under '$(" + localName + ")' == '', found " + found);
        }
        return found.get(0);
    }

    List<Item> items(String type) {
        List<Item> list = new ArrayList<>();
        for (Element e : elements(type)) {
            if (!e.hasAttribute("Include")) {
                continue; // item definition metadata, not an item
            }
            list.add(new Item(type, e.getAttribute("Include").replace('\\', '/'), conditionOf(e)));
        }
        return list;
    }

    /** The conditions on an element and its ancestors, joined with " and ". */
    static String conditionOf(Element element) {
        List<String> conditions = new ArrayList<>();
        for (Node n = element; n instanceof Element; n = n.getParentNode()) {
            String c = ((Element) n).getAttribute("Condition").trim();
            if (!c.isEmpty()) {
                conditions.add(0, c);
            }
        }
        return String.join(" and ", conditions);
    }
}
