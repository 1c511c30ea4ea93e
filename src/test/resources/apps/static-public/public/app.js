console.log("static asset");
