/*
 * kmdfhost-wmimofck - makes the C header of the WMI classes of a MOF file, as the WDK's
 * "wmimofck -h" makes it from the compiled (binary) MOF.
 *
 *   kmdfhost-wmimofck [-m] -h HEADER.h FILE.mof
 *
 * For each class of FILE.mof, in the order of the file, the header holds:
 *   - "<Name>Guid", the GUID as a structure initializer, and DEFINE_GUID(<Name>_GUID, ...)
 *     (which defines the GUID where <initguid.h> was included, as any DEFINE_GUID does);
 *   - "typedef struct _<Name> { ... } <Name>, *P<Name>;" with the class's data items
 *     (the properties with a WmiDataId qualifier) in the order of their ids, each followed
 *     by "#define <Name>_<Item>_SIZE sizeof(TYPE)" and "#define <Name>_<Item>_ID n";
 *   - "#define <Name>_SIZE", the offset of the last item plus its size (no padding after
 *     it), for a class whose items all have a fixed size;
 *   - one "#define <Method> <WmiMethodId>" per method, and with -m (the vcxproj's
 *     GenerateStructureDefinitionsForMethodParameters) the structures <Method>_IN and
 *     <Method>_OUT of its input and output parameters, with their sizes.
 * <Name> is the class's HeaderName qualifier when it has one, else the class name. MOF
 * types map to the WDK's C types: boolean BOOLEAN, uint8 UCHAR, sint8 CHAR, uint16
 * USHORT, sint16 SHORT, uint32 ULONG, sint32 LONG, uint64 ULONGLONG, sint64 LONGLONG,
 * real32 FLOAT, real64 DOUBLE, char16 WCHAR, datetime WCHAR[25] (its fixed-length
 * text form), an embedded class its structure. A string, or an array of no fixed
 * length, is variable data: the structure ends with "CHAR VariableData[1];" there (a WMI
 * string is a USHORT byte count and its WCHARs), later items get only their _ID, and the
 * class gets no <Name>_SIZE. Structures have natural alignment, as WMI lays data out.
 *
 * Exit: 0 the header was written; 1 a syntax error in the MOF (FILE:LINE: what) or an
 * I/O error; 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Lexer ------------------------------------------------------------------------ */

enum tok_kind { TK_END, TK_IDENT, TK_NUMBER, TK_STRING, TK_PUNCT };

struct token {
    enum tok_kind kind;
    char *text; /* identifier, number, string contents, or the punctuation character */
    int line;
};

static const char *mof_path;
static char *src;
static size_t pos;
static int line = 1;
static struct token cur;

static void fail(int at_line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", mof_path, at_line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1); /* free_all runs at exit */
}

/* Every allocation is on one list, so that the tool gives all of it back however it
   ends (a leak checker then has nothing to report). */
struct block {
    struct block *next, *prev;
    _Alignas(16) unsigned char data[];
};
static struct block blocks = {&blocks, &blocks};

static void free_all(void)
{
    while (blocks.next != &blocks) {
        struct block *b = blocks.next;
        blocks.next = b->next;
        free(b);
    }
    blocks.prev = &blocks;
}

static void *xmalloc(size_t n)
{
    struct block *b = calloc(1, sizeof(struct block) + (n ? n : 1));
    if (!b) {
        fprintf(stderr, "kmdfhost-wmimofck: out of memory\n");
        exit(1);
    }
    b->next = blocks.next;
    b->prev = &blocks;
    blocks.next->prev = b;
    blocks.next = b;
    return b->data;
}

static void xfree(void *p)
{
    if (p) {
        struct block *b = (struct block *)((unsigned char *)p - offsetof(struct block, data));
        b->prev->next = b->next;
        b->next->prev = b->prev;
        free(b);
    }
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

/* Skips white space, comments and preprocessor lines ("#pragma autorecover", ...). */
static void skip_space(void)
{
    int at_line_start = 1;
    for (;;) {
        char c = src[pos];
        if (c == '\n') {
            line++;
            pos++;
            at_line_start = 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            pos++;
        } else if (c == '/' && src[pos + 1] == '/') {
            while (src[pos] && src[pos] != '\n')
                pos++;
        } else if (c == '/' && src[pos + 1] == '*') {
            int start = line;
            pos += 2;
            while (src[pos] && !(src[pos] == '*' && src[pos + 1] == '/')) {
                if (src[pos] == '\n')
                    line++;
                pos++;
            }
            if (!src[pos])
                fail(start, "unterminated comment");
            pos += 2;
        } else if (c == '#' && at_line_start) {
            while (src[pos] && src[pos] != '\n')
                pos++;
        } else {
            return;
        }
        if (c != '\n' && c != ' ' && c != '\t' && c != '\r')
            at_line_start = 0;
    }
}

/* One string literal: its contents with the escapes resolved. */
static char *lex_string(void)
{
    size_t cap = 64, n = 0;
    char *out = xmalloc(cap);
    int start = line;
    pos++; /* the opening quote */
    while (src[pos] != '"') {
        char c = src[pos];
        if (!c || c == '\n')
            fail(start, "unterminated string");
        if (c == '\\' && src[pos + 1]) {
            pos++;
            c = src[pos];
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            default: break;
            }
        }
        if (n + 2 > cap) {
            char *bigger = xmalloc(cap * 2);
            memcpy(bigger, out, n);
            xfree(out);
            out = bigger;
            cap *= 2;
        }
        out[n++] = c;
        pos++;
    }
    pos++;
    out[n] = 0;
    return out;
}

static void next(void)
{
    skip_space();
    cur.line = line;
    char c = src[pos];
    if (!c) {
        cur.kind = TK_END;
        cur.text = "";
        return;
    }
    if (isalpha((unsigned char)c) || c == '_') {
        size_t start = pos;
        while (isalnum((unsigned char)src[pos]) || src[pos] == '_')
            pos++;
        cur.kind = TK_IDENT;
        cur.text = xstrndup(src + start, pos - start);
        return;
    }
    if (isdigit((unsigned char)c) || (c == '-' && isdigit((unsigned char)src[pos + 1]))) {
        size_t start = pos++;
        while (isalnum((unsigned char)src[pos]) || src[pos] == '.')
            pos++;
        cur.kind = TK_NUMBER;
        cur.text = xstrndup(src + start, pos - start);
        return;
    }
    if (c == '"') {
        /* Adjacent literals are one string, as in C. */
        char *text = lex_string();
        for (;;) {
            size_t save_pos = pos;
            int save_line = line;
            skip_space();
            if (src[pos] != '"') {
                pos = save_pos;
                line = save_line;
                break;
            }
            char *more = lex_string();
            char *joined = xmalloc(strlen(text) + strlen(more) + 1);
            strcpy(joined, text);
            strcat(joined, more);
            xfree(text);
            xfree(more);
            text = joined;
        }
        cur.kind = TK_STRING;
        cur.text = text;
        return;
    }
    if (c == '\'') { /* a char16 literal */
        size_t start = ++pos;
        while (src[pos] && src[pos] != '\'')
            pos++;
        cur.kind = TK_STRING;
        cur.text = xstrndup(src + start, pos - start);
        if (src[pos])
            pos++;
        return;
    }
    cur.kind = TK_PUNCT;
    cur.text = xstrndup(src + pos, 1);
    pos++;
}

static int is_punct(char c) { return cur.kind == TK_PUNCT && cur.text[0] == c; }
static int is_word(const char *w) { return cur.kind == TK_IDENT && strcasecmp(cur.text, w) == 0; }

static void expect_punct(char c)
{
    if (!is_punct(c))
        fail(cur.line, "expected '%c' but found '%s'", c, cur.text);
    next();
}

static char *expect_ident(const char *what)
{
    if (cur.kind != TK_IDENT)
        fail(cur.line, "expected %s but found '%s'", what, cur.text);
    char *text = cur.text;
    next();
    return text;
}

/* ---- Qualifiers ------------------------------------------------------------------- */

struct qualifier {
    char *name;
    char *value; /* the first value, or NULL for a qualifier without one */
    struct qualifier *next;
};

/* Skips a balanced (...) or {...} value list, keeping its first value. */
static char *parse_values(char open, char close)
{
    char *first = NULL;
    int depth = 1;
    next(); /* the opening bracket */
    (void)open;
    while (depth > 0) {
        if (cur.kind == TK_END)
            fail(cur.line, "unterminated qualifier value");
        if (cur.kind == TK_PUNCT && (cur.text[0] == '(' || cur.text[0] == '{'))
            depth++;
        else if (cur.kind == TK_PUNCT && (cur.text[0] == ')' || cur.text[0] == '}'))
            depth--;
        else if (!first && cur.kind != TK_PUNCT)
            first = cur.text;
        if (depth == 0 && cur.text[0] != close)
            fail(cur.line, "mismatched '%s' in a qualifier value", cur.text);
        next();
    }
    return first;
}

/* "[Name, Name(value), Name{v, v} : flavor flavor, ...]" */
static struct qualifier *parse_qualifiers(void)
{
    struct qualifier *head = NULL, **tail = &head;
    expect_punct('[');
    while (!is_punct(']')) {
        struct qualifier *q = xmalloc(sizeof *q);
        q->name = expect_ident("a qualifier name");
        if (is_punct('('))
            q->value = parse_values('(', ')');
        else if (is_punct('{'))
            q->value = parse_values('{', '}');
        if (is_punct(':')) { /* flavors: amended, ToSubclass, ... */
            next();
            while (cur.kind == TK_IDENT)
                next();
        }
        *tail = q;
        tail = &q->next;
        if (is_punct(','))
            next();
        else if (!is_punct(']'))
            fail(cur.line, "expected ',' or ']' in a qualifier list but found '%s'", cur.text);
    }
    next();
    return head;
}

static struct qualifier *find_qualifier(struct qualifier *list, const char *name)
{
    for (; list; list = list->next)
        if (strcasecmp(list->name, name) == 0)
            return list;
    return NULL;
}

static long qualifier_number(struct qualifier *list, const char *name, long otherwise)
{
    struct qualifier *q = find_qualifier(list, name);
    if (!q || !q->value)
        return otherwise;
    return strtol(q->value, NULL, 0);
}

/* ---- Classes ---------------------------------------------------------------------- */

enum { ARRAY_NONE = -1, ARRAY_VARIABLE = 0 };

struct item {
    char *type;
    char *name;
    long array; /* ARRAY_NONE, ARRAY_VARIABLE or the fixed count */
    long id;    /* WmiDataId, or -1 */
    int in, out;
    char *description;
    int line;
};

struct method {
    char *name;
    long id;
    struct item *params;
    size_t nparams;
};

struct mof_class {
    char *name;
    char *header_name;
    char *guid;
    char *description;
    struct item *items;
    size_t nitems;
    struct method *methods;
    size_t nmethods;
    struct mof_class *next;
};

static struct mof_class *classes, **classes_tail = &classes;

static void add_item(struct item **items, size_t *n, struct item it)
{
    struct item *bigger = xmalloc((*n + 1) * sizeof *bigger);
    if (*n)
        memcpy(bigger, *items, *n * sizeof *bigger);
    xfree(*items);
    bigger[(*n)++] = it;
    *items = bigger;
}

/* "TYPE [ref] NAME [ '[' [N] ']' ]" */
static void parse_typed_name(struct item *it)
{
    it->type = expect_ident("a type");
    if (is_word("ref"))
        next();
    it->name = expect_ident("a name");
    it->array = ARRAY_NONE;
    if (is_punct('[')) {
        next();
        it->array = ARRAY_VARIABLE;
        if (cur.kind == TK_NUMBER) {
            it->array = strtol(cur.text, NULL, 0);
            if (it->array <= 0)
                fail(cur.line, "array size %s is not positive", cur.text);
            next();
        }
        expect_punct(']');
    }
}

static void parse_method(struct mof_class *cls, struct item *head, struct qualifier *quals)
{
    struct method m = {0};
    m.name = head->name;
    m.id = qualifier_number(quals, "WmiMethodId", -1);
    expect_punct('(');
    long next_id = 1;
    while (!is_punct(')')) {
        struct qualifier *pq = NULL;
        if (is_punct('['))
            pq = parse_qualifiers();
        struct item p = {0};
        p.line = cur.line;
        parse_typed_name(&p);
        p.in = find_qualifier(pq, "in") != NULL;
        p.out = find_qualifier(pq, "out") != NULL;
        p.id = qualifier_number(pq, "WmiDataId", next_id);
        next_id = p.id + 1;
        struct qualifier *d = find_qualifier(pq, "Description");
        p.description = d ? d->value : NULL;
        if (is_punct('=')) { /* a default value */
            next();
            next();
        }
        add_item(&m.params, &m.nparams, p);
        if (is_punct(','))
            next();
        else if (!is_punct(')'))
            fail(cur.line, "expected ',' or ')' in the parameters of %s but found '%s'", m.name, cur.text);
    }
    next();
    expect_punct(';');
    struct method *bigger = xmalloc((cls->nmethods + 1) * sizeof *bigger);
    if (cls->nmethods)
        memcpy(bigger, cls->methods, cls->nmethods * sizeof *bigger);
    xfree(cls->methods);
    bigger[cls->nmethods++] = m;
    cls->methods = bigger;
}

static void skip_value(void)
{
    int depth = 0;
    while (cur.kind != TK_END) {
        if (depth == 0 && (is_punct(';') || is_punct('}')))
            return;
        if (is_punct('{') || is_punct('('))
            depth++;
        else if (is_punct('}') || is_punct(')'))
            depth--;
        next();
    }
}

static void parse_class(struct qualifier *quals)
{
    struct mof_class *cls = xmalloc(sizeof *cls);
    next(); /* "class" */
    cls->name = expect_ident("a class name");
    if (is_punct(':')) {
        next();
        expect_ident("a superclass name");
    }
    struct qualifier *q = find_qualifier(quals, "HeaderName");
    cls->header_name = q && q->value ? q->value : cls->name;
    q = find_qualifier(quals, "guid");
    cls->guid = q ? q->value : NULL;
    q = find_qualifier(quals, "Description");
    cls->description = q ? q->value : NULL;
    expect_punct('{');
    while (!is_punct('}')) {
        if (cur.kind == TK_END)
            fail(cur.line, "class %s is not closed", cls->name);
        struct qualifier *mq = NULL;
        if (is_punct('['))
            mq = parse_qualifiers();
        struct item it = {0};
        it.line = cur.line;
        it.type = expect_ident("a type");
        if (is_word("ref"))
            next();
        it.name = expect_ident("a property or method name");
        if (is_punct('(')) {
            parse_method(cls, &it, mq);
            continue;
        }
        it.array = ARRAY_NONE;
        if (is_punct('[')) {
            next();
            it.array = ARRAY_VARIABLE;
            if (cur.kind == TK_NUMBER) {
                it.array = strtol(cur.text, NULL, 0);
                if (it.array <= 0)
                    fail(cur.line, "array size %s is not positive", cur.text);
                next();
            }
            expect_punct(']');
        }
        it.id = qualifier_number(mq, "WmiDataId", -1);
        struct qualifier *d = find_qualifier(mq, "Description");
        it.description = d ? d->value : NULL;
        if (is_punct('=')) {
            next();
            skip_value();
        }
        expect_punct(';');
        if (it.id >= 0)
            add_item(&cls->items, &cls->nitems, it);
    }
    next();
    if (is_punct(';'))
        next();
    *classes_tail = cls;
    classes_tail = &cls->next;
}

static void parse_file(void)
{
    next();
    while (cur.kind != TK_END) {
        struct qualifier *quals = NULL;
        if (is_punct('['))
            quals = parse_qualifiers();
        if (is_word("class")) {
            parse_class(quals);
        } else {
            /* "instance of ... { ... };", "qualifier ...;": nothing for the header. */
            int depth = 0;
            while (cur.kind != TK_END) {
                if (is_punct('{'))
                    depth++;
                else if (is_punct('}'))
                    depth--;
                else if (is_punct(';') && depth <= 0)
                    break;
                next();
            }
            next();
        }
    }
}

/* ---- Output ----------------------------------------------------------------------- */

static struct mof_class *find_class(const char *name)
{
    for (struct mof_class *c = classes; c; c = c->next)
        if (strcasecmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* The C type of a MOF type; NULL for variable data (string). *extra is the fixed
 * element count a type brings of its own (datetime's 25 WCHARs). */
static const char *c_type(const struct item *it, long *extra, int at_line)
{
    static const struct {
        const char *mof, *c;
    } map[] = {
        {"boolean", "BOOLEAN"}, {"uint8", "UCHAR"},      {"sint8", "CHAR"},
        {"uint16", "USHORT"},   {"sint16", "SHORT"},     {"uint32", "ULONG"},
        {"sint32", "LONG"},     {"uint64", "ULONGLONG"}, {"sint64", "LONGLONG"},
        {"real32", "FLOAT"},    {"real64", "DOUBLE"},    {"char16", "WCHAR"},
    };
    *extra = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(it->type, map[i].mof) == 0)
            return map[i].c;
    if (strcasecmp(it->type, "datetime") == 0) {
        *extra = 25;
        return "WCHAR";
    }
    if (strcasecmp(it->type, "string") == 0 || strcasecmp(it->type, "object") == 0)
        return NULL;
    struct mof_class *embedded = find_class(it->type);
    if (!embedded)
        fail(at_line, "%s has type %s, which is neither a MOF type nor a class of this file", it->name,
             it->type);
    return embedded->header_name;
}

static int by_id(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static void emit_comment(FILE *out, const char *indent, const char *text)
{
    if (!text)
        return;
    fprintf(out, "%s// ", indent);
    for (const char *p = text; *p; p++)
        fputc(*p == '\n' ? ' ' : *p, out);
    fputc('\n', out);
}

/* One structure: the items in id order; returns whether all have a fixed size. */
static void emit_struct(FILE *out, const char *name, struct item *items, size_t n, const char *what)
{
    if (n == 0) {
        fprintf(out, "// %s has no data items.\n\n", what);
        return;
    }
    qsort(items, n, sizeof *items, by_id);
    fprintf(out, "typedef struct _%s\n{\n", name);
    int variable = 0;
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) {
        struct item *it = &items[i];
        long extra;
        const char *type = c_type(it, &extra, it->line);
        emit_comment(out, "    ", it->description);
        if (!variable && (type == NULL || it->array == ARRAY_VARIABLE)) {
            fprintf(out, "    CHAR VariableData[1];\n");
            variable = 1;
        } else if (!variable) {
            long count = it->array > 0 ? it->array : 0;
            if (extra)
                count = count ? count * extra : extra;
            if (count) {
                fprintf(out, "    %s %s[%ld];\n", type, it->name, count);
                fprintf(out, "    #define %s_%s_SIZE sizeof(%s[%ld])\n", name, it->name, type, count);
            } else {
                fprintf(out, "    %s %s;\n", type, it->name);
                fprintf(out, "    #define %s_%s_SIZE sizeof(%s)\n", name, it->name, type);
            }
            last = it->name;
        }
        fprintf(out, "    #define %s_%s_ID %ld\n\n", name, it->name, it->id);
    }
    fprintf(out, "} %s, *P%s;\n\n", name, name);
    if (!variable)
        fprintf(out, "#define %s_SIZE (FIELD_OFFSET(%s, %s) + %s_%s_SIZE)\n\n", name, name, last, name, last);
}

/* "{AB27DB29-DB25-42E6-A3E7-28BD46BDB666}" or without braces, into its 11 fields. */
static void parse_guid(const char *text, unsigned long *d1, unsigned *d2, unsigned *d3, unsigned d4[8], int at)
{
    char hex[33];
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (isxdigit((unsigned char)*p)) {
            if (n == 32)
                fail(at, "GUID \"%s\" has more than 32 digits", text);
            hex[n++] = *p;
        } else if (*p != '-' && *p != '{' && *p != '}') {
            fail(at, "GUID \"%s\" is not of the form XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX", text);
        }
    }
    if (n != 32)
        fail(at, "GUID \"%s\" does not have 32 hexadecimal digits", text);
    hex[32] = 0;
    char part[9];
    memcpy(part, hex, 8);
    part[8] = 0;
    *d1 = strtoul(part, NULL, 16);
    memcpy(part, hex + 8, 4);
    part[4] = 0;
    *d2 = (unsigned)strtoul(part, NULL, 16);
    memcpy(part, hex + 12, 4);
    *d3 = (unsigned)strtoul(part, NULL, 16);
    for (int i = 0; i < 8; i++) {
        memcpy(part, hex + 16 + 2 * i, 2);
        part[2] = 0;
        d4[i] = (unsigned)strtoul(part, NULL, 16);
    }
}

static void emit_class(FILE *out, struct mof_class *cls, int method_structs)
{
    const char *name = cls->header_name;
    fprintf(out, "// %s - %s\n", cls->name, name);
    emit_comment(out, "", cls->description);
    if (cls->guid) {
        unsigned long d1;
        unsigned d2, d3, d4[8];
        parse_guid(cls->guid, &d1, &d2, &d3, d4, 0);
        fprintf(out, "#define %sGuid \\\n    { 0x%08lx,0x%04x,0x%04x, { 0x%02x,0x%02x,0x%02x,0x%02x,0x%02x,0x%02x,0x%02x,0x%02x } }\n\n",
                name, d1, d2, d3, d4[0], d4[1], d4[2], d4[3], d4[4], d4[5], d4[6], d4[7]);
        fprintf(out, "#if ! (defined(MIDL_PASS))\nDEFINE_GUID(%s_GUID, \\\n            0x%08lx,0x%04x,0x%04x,0x%02x,0x%02x,0x%02x,0x%02x,0x%02x,0x%02x,0x%02x,0x%02x);\n#endif\n\n",
                name, d1, d2, d3, d4[0], d4[1], d4[2], d4[3], d4[4], d4[5], d4[6], d4[7]);
    }
    emit_struct(out, name, cls->items, cls->nitems, name);
    if (cls->nmethods) {
        fprintf(out, "// Method id definitions for %s\n", name);
        for (size_t i = 0; i < cls->nmethods; i++)
            if (cls->methods[i].id >= 0)
                fprintf(out, "#define %s     %ld\n", cls->methods[i].name, cls->methods[i].id);
        fputc('\n', out);
    }
    if (!method_structs)
        return;
    for (size_t i = 0; i < cls->nmethods; i++) {
        struct method *m = &cls->methods[i];
        for (int dir = 0; dir < 2; dir++) {
            struct item *sel = NULL;
            size_t n = 0;
            for (size_t j = 0; j < m->nparams; j++)
                if (dir == 0 ? m->params[j].in : m->params[j].out)
                    add_item(&sel, &n, m->params[j]);
            if (!n)
                continue;
            char sname[512];
            snprintf(sname, sizeof sname, "%s_%s", m->name, dir == 0 ? "IN" : "OUT");
            emit_struct(out, sname, sel, n, sname);
            xfree(sel);
        }
    }
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kmdfhost-wmimofck: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = xmalloc(cap * 2);
            memcpy(bigger, buf, n);
            xfree(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    buf[n] = 0;
    /* A MOF saved as UTF-16 (as some are) is read as its ASCII subset. */
    if (n >= 2 && (unsigned char)buf[0] == 0xff && (unsigned char)buf[1] == 0xfe) {
        size_t k = 0;
        for (size_t i = 2; i + 1 < n; i += 2)
            buf[k++] = buf[i + 1] ? '?' : buf[i];
        buf[k] = 0;
    } else if (n >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb &&
               (unsigned char)buf[2] == 0xbf) {
        memmove(buf, buf + 3, n - 2);
    }
    return buf;
}

static void usage(void)
{
    fprintf(stderr, "usage: kmdfhost-wmimofck [-m] -h HEADER.h FILE.mof\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *header = NULL;
    int method_structs = 0;
    atexit(free_all);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-m") == 0) {
            method_structs = 1;
        } else if (strcmp(argv[i], "-h") == 0 && i + 1 < argc) {
            header = argv[++i];
        } else if (strncmp(argv[i], "-h", 2) == 0 && argv[i][2]) {
            header = argv[i] + 2;
        } else if (argv[i][0] == '-' || mof_path) {
            usage();
        } else {
            mof_path = argv[i];
        }
    }
    if (!header || !mof_path)
        usage();
    src = read_file(mof_path);
    parse_file();
    for (struct mof_class *c = classes; c; c = c->next) /* unknown types fail here */
        for (size_t i = 0; i < c->nitems; i++) {
            long extra;
            (void)c_type(&c->items[i], &extra, c->items[i].line);
        }

    FILE *out = fopen(header, "w");
    if (!out) {
        fprintf(stderr, "kmdfhost-wmimofck: cannot create %s: %s\n", header, strerror(errno));
        return 1;
    }
    /* The guard is named after the header's base name, as wmimofck names it. */
    const char *base = strrchr(header, '/');
    base = base ? base + 1 : header;
    char *guard = xstrdup(base);
    for (char *p = guard; *p; p++)
        if (!isalnum((unsigned char)*p))
            *p = '_';
    fprintf(out, "/* Generated by kmdfhost-wmimofck from %s: the WMI classes as C declarations. */\n", mof_path);
    fprintf(out, "#ifndef _%s_\n#define _%s_\n\n", guard, guard);
    for (struct mof_class *c = classes; c; c = c->next)
        emit_class(out, c, method_structs);
    fprintf(out, "#endif\n");
    if (fclose(out) != 0) {
        fprintf(stderr, "kmdfhost-wmimofck: writing %s: %s\n", header, strerror(errno));
        return 1;
    }
    return 0;
}
