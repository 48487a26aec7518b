package s3

import (
	"mime/multipart"
	"net/http"
	"strings"
)

// maxPostMemory is how much of a POST form is held in memory before spilling to disk.
const maxPostMemory = 8 << 20

// postObject serves POST Object, the browser form upload
// (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html); the policy and
// signature fields are not checked. "${filename}" in the key is replaced by the file's name.
func (rq *request) postObject() {
	if _, err := rq.s.store.bucket(rq.bucket); err != nil {
		rq.fail(err)
		return
	}
	if err := rq.r.ParseMultipartForm(maxPostMemory); err != nil {
		rq.fail(&apiError{"MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."})
		return
	}
	defer rq.r.MultipartForm.RemoveAll()
	form := rq.r.MultipartForm
	files := form.File["file"]
	keys := form.Value["key"]
	if len(files) != 1 || len(keys) != 1 || keys[0] == "" {
		rq.fail(&apiError{"InvalidArgument", "POST requires exactly one file and one key field."})
		return
	}
	fh := files[0]
	key := strings.ReplaceAll(keys[0], "${filename}", fh.Filename)
	if len(key) > 1024 {
		rq.fail(errKeyTooLong())
		return
	}
	meta := map[string]string{}
	for name, vals := range form.Value {
		if len(vals) > 0 {
			meta[name] = vals[0]
		}
	}
	stored := storedMeta(meta)
	if userMetaSize(stored) > maxUserMetadata {
		rq.fail(errMetadataTooLarge())
		return
	}
	f, err := fh.Open()
	if err != nil {
		rq.fail(err)
		return
	}
	defer f.(multipart.File).Close()
	v, err := rq.s.putBlob(rq.bucket, key, stored, "", diskReader{f}, fh.Size, nil, nil, ReasonPostObject, rq.origin)
	if err != nil {
		rq.fail(err)
		return
	}
	h := rq.w.Header()
	h.Set("ETag", `"`+v.ETag+`"`)
	if v.ID != "" {
		h.Set("x-amz-version-id", v.ID)
	}
	h.Set("Location", "/"+rq.bucket+"/"+key)
	rq.w.WriteHeader(http.StatusNoContent)
}
