@echo off
rem echoapp.cmd - runs the Java echoapp on Windows, against the installed echo driver.
rem
rem   scripts\echoapp.cmd [echoapp options]      e.g. scripts\echoapp.cmd -Async 100
rem
rem Builds the runnable jar with Maven when it is missing (the C host is skipped: on
rem Windows echoapp binds the real kernel32 and setupapi).
setlocal
set "REPO=%~dp0.."
set "JAR="
for %%F in ("%REPO%\echoapp\target\echoapp-*.jar") do if not defined JAR set "JAR=%%~fF"
if not defined JAR (
    echo echoapp: building the echoapp jar ^(mvn package^) 1>&2
    call mvn -B -q -f "%REPO%\pom.xml" -pl echoapp -am package -DskipTests -Dkmdfhost.skip=true 1>&2
    if errorlevel 1 exit /b 1
    for %%F in ("%REPO%\echoapp\target\echoapp-*.jar") do if not defined JAR set "JAR=%%~fF"
)
if not defined JAR (
    echo echoapp: the build left no echoapp\target\echoapp-*.jar 1>&2
    exit /b 1
)
java -jar "%JAR%" %*
exit /b %ERRORLEVEL%
